"""Presentation constants of the portal: icons and groupings (no logic, no queries)."""

from permits.models import Category, OnlineDepth, ServiceModel

# bootstrap-icons names per category.
CATEGORY_ICONS: dict[str, str] = {
    Category.LICENSING: "file-earmark-check",
    Category.CONFIRMATION: "patch-check",
    Category.PUBLIC_SERVICE: "people",
    Category.SOCIAL_SECURITY: "shield-plus",
    Category.EDUCATION_CULTURE: "book",
    Category.ENVIRONMENT: "tree",
    Category.DECLARATION: "file-earmark-text",
    Category.CERTIFICATE: "person-vcard",
    Category.ANNUAL_INSPECTION: "calendar-check",
    Category.LOOKUP_SERVICE: "search",
    Category.COMPLAINT: "megaphone",
    Category.PETITION: "envelope-paper",
    Category.ENQUIRY: "question-circle",
    Category.SUGGESTION: "lightbulb",
    Category.HOTLINE: "telephone",
}

# Process-centred kinds the home page groups apart as 互动交流.
INTERACTION_CATEGORIES = frozenset(
    {
        Category.COMPLAINT,
        Category.PETITION,
        Category.ENQUIRY,
        Category.SUGGESTION,
        Category.HOTLINE,
    }
)

# Badge colours (see .os-badge-* in static/css/onestop.css).
SERVICE_MODEL_BADGES: dict[str, str] = {
    ServiceModel.PARALLEL: "red",
    ServiceModel.CORE_DEPARTMENT: "blue",
    ServiceModel.PROCESS_CENTRED: "amber",
    ServiceModel.SINGLE_DEPARTMENT: "grey",
}
ONLINE_DEPTH_BADGES: dict[str, str] = {
    OnlineDepth.FULL_ONLINE: "green",
    OnlineDepth.ONLINE_PREREVIEW: "blue",
    OnlineDepth.WINDOW_ONLY: "grey",
}
