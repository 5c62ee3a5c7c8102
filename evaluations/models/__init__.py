from .access import AreaAssignment, ExportRecord
from .criteria import CriteriaSet, CriteriaSetStatus, Criterion, GradeBand, Indicator, ScoringMode, SourceStatus
from .decisions import CommendationLevel, CommendationProposal, DecisionKind, RecognitionDecision
from .evaluations import Evaluation, EvaluationResult, EvaluationStatus, Evidence, Score
from .imports import ImportJob, ImportKind, ImportStatus
from .subjects import (
    SUBJECT_MODELS,
    HeadTitle,
    LearningCitizen,
    LearningClan,
    LearningCommunity,
    LearningFamily,
    LearningUnit,
    ManagingLevel,
    PopulationGroup,
    Subject,
    SubjectKind,
    UnitType,
)
from .units import AdministrativeUnit, UnitLevel, UnitSuccession

__all__ = [
    "AreaAssignment",
    "ExportRecord",
    "CommendationLevel",
    "CommendationProposal",
    "DecisionKind",
    "RecognitionDecision",
    "SUBJECT_MODELS",
    "AdministrativeUnit",
    "CriteriaSet",
    "CriteriaSetStatus",
    "Criterion",
    "Evaluation",
    "EvaluationResult",
    "EvaluationStatus",
    "Evidence",
    "GradeBand",
    "HeadTitle",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "Indicator",
    "LearningCitizen",
    "LearningClan",
    "LearningCommunity",
    "LearningFamily",
    "LearningUnit",
    "ManagingLevel",
    "PopulationGroup",
    "Score",
    "ScoringMode",
    "SourceStatus",
    "Subject",
    "SubjectKind",
    "UnitLevel",
    "UnitSuccession",
    "UnitType",
]
