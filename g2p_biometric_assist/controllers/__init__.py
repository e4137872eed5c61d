from . import assist, profile
