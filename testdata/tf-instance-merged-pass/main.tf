# Instances that cannot be told apart statically (a for_each over a variable set in the pipeline,
# a count past the 64 instances checked one by one) but whose trust policy is the same for every
# instance: each block is checked as one role, and the passes are fine.
variable "services" {
  description = "service names, set per environment"
  type        = set(string)
}

resource "aws_iam_role" "service" {
  for_each = var.services

  name = "service-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "shard" {
  count = 100

  name = "shard-${count.index}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.service["api"].arn
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "build/api.zip"
}

resource "aws_lambda_function" "shard" {
  count = 100

  function_name = "shard-${count.index}"
  role          = aws_iam_role.shard[count.index].arn
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "build/shard.zip"
}
