# One role comes out of a module, the other is named in terraform.tfvars: each finding shows the
# output and the .tfvars line it came through.
variable "scheduler_role" {
  type = string
}

module "iam" {
  source = "./iam"
}

resource "aws_iam_role" "scheduler" {
  name = "scheduler"
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
  role          = module.iam.role_arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "api.zip"
}

resource "aws_scheduler_schedule" "nightly" {
  name                = "nightly"
  schedule_expression = "cron(0 3 * * ? *)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_lambda_function.api.arn
    role_arn = var.scheduler_role
  }
}
