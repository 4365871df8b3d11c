"""Refusals of the synthetic nation's generator."""

from ..core.errors import InvalidInput


class SynthOut(InvalidInput):
    code = "synth.out"
    en = "The output path exists and is not a folder."
    fa = "مسیر خروجی وجود دارد و پوشه نیست."
