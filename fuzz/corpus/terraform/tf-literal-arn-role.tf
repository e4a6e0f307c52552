# A passer names the role by a literal ARN string; the ARN is linked to the aws_iam_role of the scan
# with that name and path, which trusts EC2, not Lambda: PR001 at the literal.
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
  role          = "arn:aws:iam::123456789012:role/app/worker"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
}
