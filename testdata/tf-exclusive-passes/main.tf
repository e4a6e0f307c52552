# A worker module that runs on ECS or on Lambda: the conditions are written so that both can exist
# at once (two different variables, and one condition with the same value twice), so the role is
# passed to two services together.

variable "serverless" {
  description = "Run the worker as a Lambda function."
  type        = bool
}

variable "keep_ecs" {
  description = "Keep the ECS task while migrating."
  type        = bool
}

resource "aws_iam_role" "worker" {
  name = "invoice-worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"] }
    }]
  })
}

resource "aws_ecs_task_definition" "worker" {
  count                 = var.keep_ecs ? 1 : 0
  family                = "invoice-worker"
  task_role_arn         = aws_iam_role.worker.arn
  container_definitions = jsonencode([{ name = "worker", image = "public.ecr.aws/docker/library/python:3.12" }])
}

resource "aws_lambda_function" "worker" {
  count         = var.serverless ? 1 : 0
  function_name = "invoice-worker"
  role          = aws_iam_role.worker.arn
  runtime       = "python3.12"
  handler       = "worker.handler"
  filename      = "worker.zip"
}

resource "aws_iam_role" "reports" {
  name = "invoice-reports"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"] }
    }]
  })
}

resource "aws_ecs_task_definition" "reports" {
  count                 = var.serverless ? 1 : 0
  family                = "invoice-reports"
  task_role_arn         = aws_iam_role.reports.arn
  container_definitions = jsonencode([{ name = "reports", image = "public.ecr.aws/docker/library/python:3.12" }])
}

resource "aws_lambda_function" "reports" {
  count         = var.serverless ? 1 : 0
  function_name = "invoice-reports"
  role          = aws_iam_role.reports.arn
  runtime       = "python3.12"
  handler       = "reports.handler"
  filename      = "reports.zip"
}
