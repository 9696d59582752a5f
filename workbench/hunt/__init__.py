"""The hunt (``wb.hunt``): rings found across the whole platform before anyone reports them.

* :mod:`~workbench.hunt.weights`: links weighted by rarity (the one rule every link query uses);
* :mod:`~workbench.hunt.sweep`: :func:`rings` clusters accounts over shared devices, IPs,
  payment instruments, photo hashes and message templates (the edge list is computed in the
  database by the ``hunt_links`` library query; networkx only finds the components of that
  reduced list) and ranks the clusters by :mod:`~workbench.hunt.risk`;
* :mod:`~workbench.hunt.filing`: :func:`open_cases` files one case per new cluster;
* :mod:`~workbench.hunt.coordinated`: a burst of reports from linked reporters, marked on the
  target's case;
* :mod:`~workbench.hunt.views`: "other clusters like this one" and "emerging clusters this week".
"""

from workbench.hunt.coordinated import CoordinatedReporting, check, describe, mark_case
from workbench.hunt.filing import FilingResult, open_cases
from workbench.hunt.sweep import Cluster, HuntResult, latest, rings
from workbench.hunt.views import Emerging, cluster_of, emerging, similar_clusters

__all__ = [
    "Cluster",
    "CoordinatedReporting",
    "Emerging",
    "FilingResult",
    "HuntResult",
    "check",
    "cluster_of",
    "describe",
    "emerging",
    "latest",
    "mark_case",
    "open_cases",
    "rings",
    "similar_clusters",
]
