"""Pure-Python domain core of Miaopu (no Django imports; frozen dataclasses in, plain values out)."""
