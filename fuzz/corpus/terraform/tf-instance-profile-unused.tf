# A role in an instance profile that nothing in the scan uses: the profile hands the role to EC2, so
# its `role` argument is the pass site. The role trusts Lambda, not EC2: PR001 there.
resource "aws_iam_role" "web" {
  name = "web"
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

resource "aws_iam_instance_profile" "web" {
  name = "web"
  role = aws_iam_role.web.name
}
