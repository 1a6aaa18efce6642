from django.urls import path

from samskab.votes import views

app_name = "votes"

urlpatterns = [
    path("", views.vote_list, name="list"),
    path("<int:pk>/", views.vote_detail, name="detail"),
    path("<int:pk>/stem/", views.vote_cast, name="cast"),
    path("<int:pk>/kvittering/", views.vote_receipt, name="receipt"),
    path("<int:pk>/resultater/", views.vote_results, name="results"),
    path("<int:pk>/resultater.csv", views.vote_results_csv, name="results_csv"),
    path("<int:pk>/optalte-stemmesedler/", views.vote_counted, name="counted"),
    path("<int:pk>/aabn/", views.vote_open, name="open"),
    path("<int:pk>/luk/", views.vote_close, name="close"),
    path("<int:pk>/offentliggoer/", views.vote_publish, name="publish"),
    path("<int:pk>/omraader/", views.vote_areas, name="areas"),
    path("<int:pk>/stemmesteder/", views.vote_booths, name="booths"),
    path("afstemningssted/<int:pk>/", views.booth_desk, name="booth"),
    path("afstemningssted/<int:pk>/optaelling/", views.booth_count, name="booth_count"),
    path("afstemning/<int:pk>/godkend/", views.reconciliation_accept, name="accept"),
]
