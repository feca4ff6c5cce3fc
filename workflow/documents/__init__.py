"""The notices and results generated for a case as PDF (受理通知书, 不予受理通知书, 一次性告知书,
容缺受理承诺书, the decision notice, the certificate), stored with the case through Django's
storage API and downloaded by whoever may see the case (``workflow.access``)."""
