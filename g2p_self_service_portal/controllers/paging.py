"""One page of a portal list: the count, Odoo's pager and the page's records."""

from odoo.addons.portal.controllers.portal import pager as portal_pager


def paged_search(model, domain, order, url, url_args, page, step, total=None):
    """(records of ``page``, pager) of ``model`` records matching ``domain``.

    Two queries whatever the number of records: a count for the pager
    (unless the caller knows ``total`` already), and the page itself. Read
    as the caller's environment (the record rules).
    """
    pager = portal_pager(
        url=url,
        url_args=url_args,
        total=model.search_count(domain) if total is None else total,
        page=page,
        step=step,
    )
    records = model.search(domain, order=order, limit=step, offset=pager["offset"])
    return records, pager
