"""The roles of the association, as Django groups with their permissions.

``sync_roles`` is run by a data migration (and can be run again by later migrations when a role
changes): it creates missing groups and permissions and sets each group's permissions to exactly the
list below. An officer's reach is set separately by area assignments (``AreaAssignment``).
"""

from __future__ import annotations

PROVINCIAL_OFFICER = "Cán bộ Hội cấp tỉnh"
COMMUNE_OFFICER = "Cán bộ Hội cấp xã"
COMMUNE_REVIEWER = "Người thẩm định cấp xã"
COMMUNICATIONS = "Cán bộ truyền thông"
AUDITOR = "Kiểm tra viên (chỉ xem)"

SUBJECT_MODELS = ("learningfamily", "learningclan", "learningcommunity", "learningunit", "learningcitizen")
CRITERIA_MODELS = ("criteriaset", "gradeband", "criterion", "indicator")
CUSTOM_EVALUATION_PERMISSIONS = {
    "submit_evaluation": "Can submit evaluations for review",
    "review_evaluation": "Can review, return and reject evaluations",
    "recognise_evaluation": "Can record recognition decisions",
    "revoke_recognition": "Can revoke recognitions",
    "propose_commendation": "Can propose recognised models for commendation",
    "lock_evaluation": "Can lock evaluation",
    "unlock_evaluation": "Can unlock evaluation",
}


REPORT_DATA_MODELS = ("target", "denominator", "budgetline")


def _crud(models, actions=("add", "change", "delete", "view"), app_label: str = "evaluations"):
    return [(app_label, f"{action}_{model}") for model in models for action in actions]


ADMIN_ACCESS = [("wagtailadmin", "access_admin")]

ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    PROVINCIAL_OFFICER: [
        *ADMIN_ACCESS,
        *_crud(SUBJECT_MODELS),
        *_crud(CRITERIA_MODELS),
        *_crud(("evaluation", "evidence", "recognitiondecision", "commendationproposal")),
        *_crud(("administrativeunit", "unitsuccession")),
        *[("evaluations", codename) for codename in CUSTOM_EVALUATION_PERMISSIONS],
        *_crud(REPORT_DATA_MODELS, app_label="reports"),
        *_crud(("reportsubmission",), ("add", "view"), app_label="reports"),
        # Preview and apply reorganisations of administrative units (within their area).
        *_crud(("reorganisation",), ("add", "change", "view"), app_label="reorganisation"),
    ],
    COMMUNE_OFFICER: [
        *ADMIN_ACCESS,
        *_crud(SUBJECT_MODELS, ("add", "change", "view")),
        *_crud(("evaluation",), ("add", "change", "view")),
        *_crud(("evidence",), ("add", "view")),
        *_crud(("criteriaset", "recognitiondecision", "commendationproposal", "administrativeunit"), ("view",)),
        ("evaluations", "submit_evaluation"),
        ("evaluations", "lock_evaluation"),
        ("evaluations", "unlock_evaluation"),
        # Local targets, denominators and budget lines of their own area; they submit its annual report.
        *_crud(REPORT_DATA_MODELS, ("add", "change", "view"), app_label="reports"),
        *_crud(("reportsubmission",), ("add", "view"), app_label="reports"),
    ],
    COMMUNE_REVIEWER: [
        *ADMIN_ACCESS,
        *_crud(SUBJECT_MODELS, ("view",)),
        *_crud(("evaluation", "evidence", "criteriaset", "administrativeunit"), ("view",)),
        *_crud(("recognitiondecision",), ("add", "view")),
        *_crud(("commendationproposal",), ("add", "change", "view")),
        ("evaluations", "review_evaluation"),
        ("evaluations", "recognise_evaluation"),
        ("evaluations", "revoke_recognition"),
        ("evaluations", "propose_commendation"),
        ("evaluations", "unlock_evaluation"),
        *_crud((*REPORT_DATA_MODELS, "reportsubmission"), ("view",), app_label="reports"),
    ],
    COMMUNICATIONS: [
        *ADMIN_ACCESS,
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "choose_document"),
    ],
    AUDITOR: [
        *ADMIN_ACCESS,
        *_crud(SUBJECT_MODELS, ("view",)),
        *_crud(CRITERIA_MODELS[:1], ("view",)),
        *_crud(
            ("evaluation", "evidence", "recognitiondecision", "commendationproposal", "administrativeunit"),
            ("view",),
        ),
        *_crud((*REPORT_DATA_MODELS, "reportsubmission"), ("view",), app_label="reports"),
    ],
}

#: Page permissions of the communications staff on the site's root page (and so every page below it).
COMMUNICATIONS_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def sync_roles(apps) -> None:
    """Create or update the groups; ``apps`` is the migration state (or ``django.apps.apps``)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    def permission(app_label: str, codename: str):
        model = codename.split("_", 1)[1]
        if app_label == "wagtailadmin":
            model = "admin"
        elif codename in CUSTOM_EVALUATION_PERMISSIONS:
            model = "evaluation"
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        found, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=codename,
            defaults={"name": CUSTOM_EVALUATION_PERMISSIONS.get(codename, codename.replace("_", " ").capitalize())},
        )
        return found

    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([permission(app_label, codename) for app_label, codename in codenames])

    communications = Group.objects.get(name=COMMUNICATIONS)
    _grant_pages_and_collections(apps, communications, permission)


def _grant_pages_and_collections(apps, group, permission) -> None:
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_page = Page.objects.filter(depth=1).first()
    if root_page is not None:
        for codename in COMMUNICATIONS_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root_page, permission=permission("wagtailcore", codename)
            )
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for app_label, codenames in (
            ("wagtailimages", ("add_image", "change_image", "choose_image")),
            ("wagtaildocs", ("add_document", "change_document", "choose_document")),
        ):
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission(app_label, codename)
                )
