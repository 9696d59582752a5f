"""``workbench serve``: JupyterLab for specialists and Voilà for leads, side by side
(:mod:`~workbench.serve.servers`), and Voilà's page hook (:mod:`~workbench.serve.pages`)."""
