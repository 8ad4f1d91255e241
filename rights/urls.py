from django.urls import path

from rights import views

app_name = "rights"

urlpatterns = [
    path("board/<str:token>/", views.board_public, name="board"),
    path("public/<str:code>/draws/", views.draws, name="draws"),
    path("public/<str:code>/draws/<int:draw_id>/", views.draw, name="draw"),
]
