# The same module deployed to the aws and aws-cn partitions: the principal is chosen by partition,
# and either way it is Lambda's.

variable "partition" {
  type    = string
  default = "aws"
}

resource "aws_iam_role" "worker" {
  name = "queue-worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = var.partition == "aws-cn" ? "lambda.amazonaws.com.cn" : "lambda.amazonaws.com" }
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
