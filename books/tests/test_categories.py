"""The classifier on its own: built-in rules, the freelancer's rules before them, the longest match winning, and
the pattern learned from a description."""

import pytest

from books.categories import classify_outflow, learned_pattern, normalise, ordered


@pytest.mark.parametrize(
    ("description", "category"),
    [
        ("K-ELECTRIC BILL 0400012345", "electricity"),
        ("LESCO bill July", "electricity"),
        ("PTCL BROADBAND 021-1234567", "internet"),
        ("Nayatel monthly", "internet"),
        ("StormFiber   internet", "internet"),
        ("Storm  Fiber Lahore", "internet"),
        ("Service Fee: Upwork Service Fee for Ref ID 9001", "fees"),
        ("Card transaction of 15.00 GBP issued by Figma", "software"),
        ("Grocery store", "other"),
    ],
)
def test_built_in_rules(description, category):
    assert classify_outflow(description) == ("expense", category)


def test_transfers_stay_transfers_and_fees_stay_expenses():
    assert classify_outflow("Withdrawal to Meezan Bank") == ("transfer", "")
    assert classify_outflow("ATM CASH WITHDRAWAL FEE") == ("expense", "fees")
    # A user rule chooses a category, it does not make a transfer an expense...
    assert classify_outflow("Withdrawal to Meezan Bank", ordered([("meezan", "software")])) == ("transfer", "")
    # ...except a rule for fees, which marks the line as a fee like the built-in fee words.
    assert classify_outflow("ATM WITHDRAWAL CHARGES", ordered([("atm withdrawal", "fees")])) == ("expense", "fees")


def test_a_user_rule_overrides_the_built_in():
    rules = ordered([("ptcl", "coworking")])
    assert classify_outflow("PTCL BROADBAND 021-1234567", rules) == ("expense", "coworking")
    # A user rule overrides the built-in fee words too.
    assert classify_outflow("Annual account fee", ordered([("annual account fee", "other")])) == ("expense", "other")


def test_the_longest_matching_user_rule_wins_whatever_the_order():
    rules = [("ptcl", "internet"), ("ptcl smart tv", "training"), ("smart", "equipment")]
    for order in (rules, rules[::-1]):
        assert classify_outflow("PTCL Smart TV subscription", ordered(order)) == ("expense", "training")
        assert classify_outflow("PTCL broadband", ordered(order)) == ("expense", "internet")
    # Equal lengths: the alphabetically first pattern, every time.
    assert classify_outflow("abc xyz", ordered([("xyz", "software"), ("abc", "equipment")])) == ("expense", "equipment")


def test_patterns_are_normalised():
    assert normalise("  K-Electric   BILL ") == "k-electric bill"
    assert ordered([("  PTCL  ", "internet"), ("   ", "other")]) == (("ptcl", "internet"),)


@pytest.mark.parametrize(
    ("description", "pattern"),
    [
        ("K-ELECTRIC BILL 0400012345", "k-electric bill"),
        ("PTCL BROADBAND 021-1234567", "ptcl broadband"),
        ("Card transaction of 15.00 GBP issued by Figma", "figma"),
        ("Electricity bill", "electricity bill"),
        ("POS 1234 Daftarkhwan Lahore monthly desk", "daftarkhwan lahore monthly"),
        ("Payment to Ali Raza for", "ali raza"),
        ("12345 67890", ""),
    ],
)
def test_learned_pattern_is_the_payee_words(description, pattern):
    learned = learned_pattern(description)
    assert learned == pattern
    assert learned in normalise(description)  # a piece of the description, so the same payee matches next time
