# A chain of 10 tasks running `true` (the same job as `weft-bench engine`'s chain of 10).
import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG(
    dag_id="weft_chain10",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
):
    previous = None
    for i in range(10):
        task = BashOperator(task_id=f"t{i}", bash_command="true")
        if previous is not None:
            previous >> task
        previous = task
