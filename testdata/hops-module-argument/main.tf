# The role reaches the Lambda function through a module argument and a local: the finding shows
# each place the value came through.
locals {
  worker_role = aws_iam_role.batch.arn
}

resource "aws_iam_role" "batch" {
  name = "batch"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "batch.amazonaws.com" }
    }]
  })
}

module "worker" {
  source   = "./modules/worker"
  role_arn = local.worker_role
}
