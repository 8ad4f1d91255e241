from django.urls import path

from rights.views import board, complaints, worker

app_name = "rights"

urlpatterns = [
    path("board/<str:token>/", board.board_public, name="board"),
    path("board/<str:token>/complaint/", complaints.board_complaint, name="board-complaint"),
    path("public/<str:code>/draws/", board.draws, name="draws"),
    path("public/<str:code>/draws/<int:draw_id>/", board.draw, name="draw"),
    path("public/<str:code>/complaint/", complaints.public_complaint, name="public-complaint"),
    path("complaints/track/", complaints.track, name="complaint-track"),
    path("worker/", worker.sign_in, name="worker-sign-in"),
    path("worker/code/", worker.code, name="worker-code"),
    path("worker/sign-out/", worker.sign_out, name="worker-sign-out"),
    path("worker/records/", worker.records, name="worker-records"),
    path("worker/records/<int:engagement_id>/", worker.engagement, name="worker-engagement"),
    path("worker/records/<int:engagement_id>/settlement/", worker.settlement, name="worker-settlement"),
]
