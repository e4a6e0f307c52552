# Roles whose instances cannot be told apart statically: a for_each over a variable set only in the
# pipeline, and a count past the instances passrole checks one by one (64). Each block is checked as
# one role; its trusted service differs per instance, so each pass is a PR005 note that says why.
variable "services" {
  description = "service name => principal prefix, set per environment"
  type        = map(string)
}

resource "aws_iam_role" "service" {
  for_each = var.services

  name = "service-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "${each.value}.amazonaws.com" }
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
      Principal = { Service = element(["lambda.amazonaws.com", "states.amazonaws.com"], count.index) }
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
