# Outreach pages (articles, model stories, magazine promotion, recognition lists) arrive with issue 6.
