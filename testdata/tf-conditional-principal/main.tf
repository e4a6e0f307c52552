# A worker module that runs on Lambda or on ECS: the trust principal is chosen by a variable the
# caller sets. A choice trusts one service, not both: with the choice unknown the pass is a stated
# gap, not a role trusting two services. A branch that itself lists two services still does.

variable "runtime" {
  description = "Where the worker runs: lambda or ecs."
  type        = string
}

variable "shared_with_batch" {
  type    = bool
  default = false
}

resource "aws_iam_role" "worker" {
  name = "queue-worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = var.runtime == "lambda" ? "lambda.amazonaws.com" : "ecs-tasks.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "worker" {
  function_name = "queue-worker"
  role          = aws_iam_role.worker.arn
  runtime       = "python3.12"
  handler       = "worker.handler"
  filename      = "worker.zip"
}

data "aws_iam_policy_document" "reporter_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = var.shared_with_batch ? ["ecs-tasks.amazonaws.com", "batch.amazonaws.com"] : ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "reporter" {
  name               = "reporter"
  assume_role_policy = data.aws_iam_policy_document.reporter_trust.json
}

resource "aws_ecs_task_definition" "reporter" {
  family                = "reporter"
  task_role_arn         = aws_iam_role.reporter.arn
  container_definitions = jsonencode([{ name = "reporter", image = "public.ecr.aws/docker/library/python:3.12" }])
}
