# A worker module that runs on ECS or on Lambda, never both: the role trusts the two services and is
# passed to one of them in each configuration, so it is not passed to two services together.

variable "serverless" {
  description = "Run the worker as a Lambda function instead of an ECS task."
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
  count                 = var.serverless ? 0 : 1
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

# A second Lambda entry point that exists in the serverless configuration only (written with `!`).
resource "aws_lambda_function" "retry" {
  for_each      = !var.serverless ? {} : { retry = "retry.handler" }
  function_name = "invoice-${each.key}"
  role          = aws_iam_role.worker.arn
  runtime       = "python3.12"
  handler       = each.value
  filename      = "worker.zip"
}
