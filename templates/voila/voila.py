# Voilà configuration for `workbench serve` (found through JUPYTER_CONFIG_PATH, set by
# workbench.serve.servers.kernel_env): the login token and cookie secret from the home, each page
# loading only the JupyterLab extensions its notebook needs, closed pages releasing their
# kernels. See workbench/serve/pages.py.
from workbench.serve.pages import configure

configure(c)  # noqa: F821 (c is Voilà's config object)
