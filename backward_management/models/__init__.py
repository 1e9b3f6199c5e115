from . import backward_demo
