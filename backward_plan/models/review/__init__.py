# The review layer's overrides of the watch's hooks (the future backward_review addon).
from . import backward_notifier
