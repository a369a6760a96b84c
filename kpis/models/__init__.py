"""The kpis app's models, a module per concern (sources, records, indicators, figures,
departments, judgements, documents), all importable from here as before."""

from kpis.models.departments import (  # noqa: F401
    Department,
    DepartmentQuerySet,
    validate_webhook_url,
    webhook_error,
)
from kpis.models.documents import (  # noqa: F401
    Bulletin,
    BulletinQuerySet,
    Snapshot,
    SnapshotQuerySet,
    figure_of,
)
from kpis.models.figures import (  # noqa: F401
    EXPLANATION_FIELDS,
    EXPLANATION_PARTS,
    EXPLANATION_STATUSES,
    Actual,
    ActualQuerySet,
    Comparison,
    Preference,
    Reminder,
    ReturnReason,
    month_end_a_year_earlier,
)
from kpis.models.indicators import (  # noqa: F401
    NO_TARGET,
    Indicator,
    IndicatorQuerySet,
    InterimTarget,
    InterimTargetQuerySet,
    PublishedStage,
    Revision,
    Stage,
    Target,
    default_year,
    stage_revision,
    target_changes,
    validate_profile,
)
from kpis.models.judgements import (  # noqa: F401
    JudgedYear,
    Judgement,
    JudgementQuerySet,
)
from kpis.models.records import (  # noqa: F401
    DataVersion,
    Installation,
    reporting_starts,
)
from kpis.models.sources import (  # noqa: F401
    _QUALIFIER_WORDS,
    FIRST_YEAR,
    LAST_YEAR,
    STAGE_WORDS,
    Qualifier,
    RejectedCandidate,
    Source,
    Theme,
)
from kpis.units import Unit, unit_scale, unit_scales, validate_unit  # noqa: F401 (re-exported)
from kpis.workflow import (  # noqa: F401 (re-exported: the workflow's names stay importable here)
    DepartmentScopedQuerySet,
    EditConflict,
    FourEyes,
    Reviewed,
    ReviewedQuerySet,
    WorkflowStatus,
)
