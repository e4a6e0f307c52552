# A variable's default names the role by ARN; the ARN is linked to the role of the scan (name and
# path), which trusts EC2, not Lambda: PR001 at the pass that uses the variable.
variable "worker_role_arn" {
  type    = string
  default = "arn:aws:iam::123456789012:role/app/worker"
}

resource "aws_iam_role" "worker" {
  name = "worker"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = var.worker_role_arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
}
