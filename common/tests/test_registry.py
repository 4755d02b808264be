from common.registry import Registry


def test_entries_come_back_once_in_the_order_registered():
    listeners = Registry("listeners")

    def first():
        pass

    def second():
        pass

    assert not listeners
    assert listeners.register(first) is first
    listeners.register(second)
    listeners.register(first)
    assert list(listeners) == [first, second] and len(listeners) == 2


def test_a_keyed_entry_is_replaced_by_a_later_one():
    links = Registry("links")
    links.register(len, key="invoice")
    links.register(sum, key="invoice")
    assert "invoice" in links and links["invoice"] is sum and list(links) == [sum]
    assert "contract" not in links
