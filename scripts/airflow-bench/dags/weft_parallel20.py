# 20 independent tasks running `true` (the same job as `weft-bench engine`'s 20 parallel tasks).
import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG(
    dag_id="weft_parallel20",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
):
    for i in range(20):
        BashOperator(task_id=f"p{i}", bash_command="true")
