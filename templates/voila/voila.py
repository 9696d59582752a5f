# Voilà configuration for `workbench serve` (found through JUPYTER_CONFIG_PATH, set by
# workbench.serve.kernel_env).
# Each page loads only the JupyterLab extensions its notebook needs: see workbench/voila_pages.py.
from workbench.serve.pages import page_config

c.VoilaConfiguration.page_config_hook = page_config  # noqa: F821 (c is Voilà's config object)
