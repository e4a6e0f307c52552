# A module called with for_each: each instance gets its role through each.value. The API role trusts
# EC2, so the function built from it fails; the finding is in the module, where the role is passed.

resource "aws_iam_role" "api" {
  name = "api"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

module "fn" {
  source   = "./modules/fn"
  for_each = {
    api    = { role = aws_iam_role.api.arn }
    worker = { role = aws_iam_role.worker.arn }
  }
  name     = each.key
  role_arn = each.value.role
}
