# The root passes a role into a local module; the module hands it to Lambda.
resource "aws_iam_role" "worker" {
  name               = "worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

module "fn" {
  source   = "./modules/fn"
  role_arn = aws_iam_role.worker.arn
}
