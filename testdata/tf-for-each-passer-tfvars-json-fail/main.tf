# The functions and the role each runs with come from the pipeline's terraform.tfvars.json: each
# function instance passes the role its value names.
variable "functions" {
  description = "function name => execution role ARN"
  type        = map(string)
}

resource "aws_iam_role" "api" {
  name = "api"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "etl" {
  name = "etl"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "glue.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "fn" {
  for_each = var.functions

  function_name = each.key
  role          = each.value
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "build/${each.key}.zip"
}
