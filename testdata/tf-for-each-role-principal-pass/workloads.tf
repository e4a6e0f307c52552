# Three instances of one role block passed to three services: three roles, so no role is shared.
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.workload["api"].arn
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "build/api.zip"
}

resource "aws_glue_job" "reports" {
  name     = "reports"
  role_arn = aws_iam_role.workload["reports"].arn

  command {
    script_location = "s3://example-etl-scripts/reports.py"
  }
}

resource "aws_sfn_state_machine" "ingest" {
  name       = "ingest"
  role_arn   = aws_iam_role.workload["ingest"].arn
  definition = jsonencode({ StartAt = "Done", States = { Done = { Type = "Succeed" } } })
}
