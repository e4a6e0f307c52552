# The prod account's worker role. Both environments are copies of one project: each app passes
# the role of its own environment, never the other's.
resource "aws_iam_role" "worker" {
  name = "worker"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}
