from . import assist, capture, profile
