# Which instance is passed depends on a variable set only at plan time, and the instances trust
# different services: the pass cannot be checked (a PR005 note that says why), never a guess.
variable "worker_kind" {
  description = "lambda or glue, set per environment in the pipeline"
  type        = string
}

resource "aws_iam_role" "worker" {
  for_each = toset(["lambda", "glue"])

  name = "worker-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "${each.key}.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.worker[var.worker_kind].arn
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "build/worker.zip"
}
