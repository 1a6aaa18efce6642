from django.urls import path

from samskab.budgets import views, views_process, views_staff, views_valuation

app_name = "budgets"
urlpatterns = [
    path("", views.budget_list, name="list"),
    path("<int:pk>/", views.budget_detail, name="budget"),
    path("<int:pk>/resultater/", views.budget_results, name="results"),
    path("<int:budget_pk>/omraade/<int:pk>/", views.heading_detail, name="heading"),
    path("<int:budget_pk>/omraade/<int:pk>/stemmeseddel/", views.ballot, name="ballot"),
    path("<int:pk>/deltagelse/", views.participation, name="participation"),
    path("<int:pk>/papirstemmesedler/", views.paper_overview, name="paper_overview"),
    path(
        "<int:budget_pk>/omraade/<int:pk>/papirstemmeseddel/",
        views.paper_ballot,
        name="paper_ballot",
    ),
    path(
        "<int:pk>/papirstemmesedler/indtastede/",
        views_staff.paper_ballot_list,
        name="paper_list",
    ),
    path("papirstemmeseddel/<int:pk>/ret/", views_staff.paper_ballot_change, name="paper_change"),
    path("<int:pk>/nyt-projekt/", views.project_new, name="project_new"),
    path("projekt/<int:pk>/", views.project_detail, name="project"),
    path("projekt/<int:pk>/vurdering/", views_valuation.project_valuation, name="valuation"),
    path("mine-vurderinger/", views_valuation.my_valuations, name="my_valuations"),
    path("projekt/<int:pk>/stoet/", views.project_support, name="support"),
    # The process: the map and the staff pages (pictures and documents: attachments/).
    path("<int:pk>/kort/", views_process.budget_map_page, name="map"),
    path("<int:pk>/behandling/", views_process.staff_projects, name="staff_projects"),
    path("<int:pk>/behandling/faser/", views_process.staff_phases, name="staff_phases"),
    path("<int:pk>/behandling/kort/", views_process.staff_map, name="staff_map"),
    path("<int:pk>/behandling/optaelling/", views_staff.staff_count, name="staff_count"),
    path(
        "<int:pk>/behandling/optaelling/resultater.csv",
        views_staff.staff_results_csv,
        name="staff_results_csv",
    ),
    path(
        "<int:pk>/behandling/optaelling/status/",
        views_staff.staff_count_status,
        name="staff_count_status",
    ),
]
