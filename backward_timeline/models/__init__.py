from . import backward_timeline
from . import sale_order
from . import backward_document_mixin
