"""What the wage records tell the layers above them, sent by the services inside the transaction of the change,
so that a listener's own writes (the upward outbox: upward/) commit or roll back with it."""

from django.dispatch import Signal

# contract=LabourContract: a labour contract recorded.
contract_recorded = Signal()
# sheet=WageSheet: the bank's payment results of a sheet recorded.
bank_results_recorded = Signal()
