"""What the registry tells the layers above it, sent by the services inside the transaction of the change, so
that a listener's own writes (the upward outbox: upward/) commit or roll back with it. The registry does not
know who listens."""

from django.dispatch import Signal

# project=Project: registered with its participants.
project_registered = Signal()
# participant=ProjectParticipant: an enterprise took part in a project in a role.
participant_joined = Signal()
# engagement=Engagement: a person registered on a project (his entry).
engagement_registered = Signal()
# engagement=Engagement: his exit recorded.
engagement_exited = Signal()
