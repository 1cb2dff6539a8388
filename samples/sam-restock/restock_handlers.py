"""The sample's Lambda function, run locally: the stock of an item and the level that triggers a restock."""

STOCK = {"widget": 3, "gadget": 40}


def check_stock(event, context):
    """CheckStockFunction: how many of `sku` are left, and the restock threshold."""
    sku = event["sku"]
    if sku not in STOCK:
        raise KeyError(f"unknown sku {sku!r}")
    return {"quantity": STOCK[sku], "threshold": 5}
