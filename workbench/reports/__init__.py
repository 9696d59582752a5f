"""Investigation reports (``wb.reports``): the report notebook's sections
(:mod:`~workbench.reports.sections`), run by Papermill one case at a time or in batches on warm
kernels, locally or on a Dask cluster (:mod:`~workbench.reports.batch`).
"""

from workbench.reports.batch import ReportResult, export_html, open_case_ids, run, run_many, summary

__all__ = ["ReportResult", "export_html", "open_case_ids", "run", "run_many", "summary"]
