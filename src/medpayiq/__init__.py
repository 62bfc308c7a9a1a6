"""MedPayIQ: Medicare reimbursement intelligence from CMS's own files.

The public library API is re-exported here as it lands; see docs/architecture.md.
"""

from __future__ import annotations

__version__ = "0.1.0"
