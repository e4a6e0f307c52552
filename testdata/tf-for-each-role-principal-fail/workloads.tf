resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.workload["api"].arn
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "build/api.zip"
}

# The Step Functions role is handed to Glue: the key names the wrong instance.
resource "aws_glue_job" "reports" {
  name     = "reports"
  role_arn = aws_iam_role.workload["ingest"].arn

  command {
    script_location = "s3://example-etl-scripts/reports.py"
  }
}
