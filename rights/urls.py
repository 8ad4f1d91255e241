from django.urls import path

from rights import views

app_name = "rights"

urlpatterns = [
    path("board/<str:token>/", views.board_public, name="board"),
]
