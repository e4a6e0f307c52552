# The root module: its own grant, and the deployer module given the resource it may pass.
resource "aws_iam_policy" "ci" {
  name = "ci"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
  })
}

module "deployer" {
  source        = "../../modules/deployer"
  pass_resource = "arn:aws:iam::123456789012:role/*"
}
