# The role comes from a variable without a default or a tfvars value: which role Lambda gets cannot
# be known statically. PR005 states the gap at the pass.
variable "worker_role_arn" {
  type        = string
  description = "Execution role of the worker function"
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = var.worker_role_arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
}
