# JupyterLab configuration of the repository (`make lab` puts this folder on JUPYTER_CONFIG_PATH).
#
# - The application settings come from jupyter/lab/settings/overrides.json: a chapter
#   (book/NN_*.md, MyST Markdown) opens as a notebook with jupytext's "Jupytext Notebook"
#   viewer by default; jupyterlab-myst renders the MyST in its Markdown cells.
# - The server serves the repository root on the loopback interface only.
# Your own ~/.jupyter settings still apply on top of these defaults.
from pathlib import Path

HERE = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 - provided by the Jupyter config loader
c.LabApp.app_settings_dir = str(HERE / "lab" / "settings")
c.ServerApp.root_dir = str(HERE.parent)
c.ServerApp.ip = "127.0.0.1"
# offline: the extension manager does not query PyPI, Lab fetches no news
c.LabApp.extension_manager = "readonly"
c.LabApp.news_url = None
