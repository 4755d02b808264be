"""Country names from Babel's CLDR data, so they come in English and Urdu without a list of our own."""

from functools import lru_cache

from babel import Locale


@lru_cache(maxsize=4)
def country_names(language: str = "en") -> dict[str, str]:
    locale = Locale.parse("ur" if language.startswith("ur") else "en")
    return {
        code: name
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"}
    }


def country_choices(language: str = "en") -> list[tuple[str, str]]:
    return sorted(country_names(language).items(), key=lambda item: item[1])


def country_name(code: str, language: str = "en") -> str:
    return country_names(language).get(code, code)
