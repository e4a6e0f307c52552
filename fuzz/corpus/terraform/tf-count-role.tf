# A role with count (three instances) whose trust policy also admits an account: one PR003 at the
# principal's source location, not one per instance.
resource "aws_iam_role" "shard" {
  count = 3
  name  = "shard-${count.index}"
  path  = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = "lambda.amazonaws.com" }
      },
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { AWS = "arn:aws:iam::123456789012:root" }
      },
    ]
  })
}

resource "aws_lambda_function" "shard" {
  count         = 3
  function_name = "shard-${count.index}"
  role          = aws_iam_role.shard[count.index].arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "shard.zip"
}
