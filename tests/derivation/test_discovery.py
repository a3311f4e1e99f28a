"""Discovery: the catalogue found by name, close-name hints, registered derivations."""
import pytest

import symrmt as sr
from symrmt.derivation import Parameter, SpectralDerivation, register
from symrmt.errors import ParameterError

FIVE = ["marchenko-pastur", "semicircle", "semicircle-plus-mp", "mp-times-mp", "silverstein"]


def test_discovery_lists_the_five():
    assert set(FIVE) <= set(sr.available())
    for name in FIVE:
        d = sr.load(name)
        assert isinstance(d, SpectralDerivation) and d.name == name and d.summary and "19" in d.reference

def test_unknown_derivation_names_the_available_ones():
    with pytest.raises(ParameterError, match="unknown derivation 'nope'.*marchenko-pastur"):
        sr.load("nope")
    with pytest.raises(ParameterError, match="'marchenko-pastr'; did you mean 'marchenko-pastur'\\? available: "):
        sr.load("marchenko-pastr")
    with pytest.raises(ParameterError, match="did you mean 'semicircle' or 'semicircle-plus-mp'\\?"):
        sr.load("Semicircle")
    with pytest.raises(ParameterError) as info:
        sr.load("zzzz")
    assert "did you mean" not in str(info.value)

def test_register_a_custom_derivation():
    class Custom(SpectralDerivation):
        name = "custom-deformed-wigner"
        summary = "semicircle ⊞ two atoms"
        reference = "Voiculescu 1986"
        parameters = (Parameter("variance", 1, low=0),)

        def build_law(self, variance):
            return sr.free_add(sr.laws.semicircle(variance), sr.laws.atoms([-2, 2]))

    register(Custom())
    assert "custom-deformed-wigner" in sr.available()
    assert sr.load("custom-deformed-wigner").law().parameters == ()
    with pytest.raises(ParameterError, match="Derivation"):
        register(object())
